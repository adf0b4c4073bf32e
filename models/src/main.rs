//! `lifecycle-check`: the suite's main program.

fn main() {
    println!("lifecycle-check: the scenarios of the catalogue");
    for entry in lifecycle_models::CATALOGUE {
        println!("  {:<30} {}", entry.name, entry.story);
    }
}

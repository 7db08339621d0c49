//! Loads the scenario files given as arguments and prints the diagnostics
//! (a developer aid; `caisson validate` is the user-facing command).

fn main() {
    for arg in std::env::args().skip(1) {
        match caisson_scenario::load_path(std::path::Path::new(&arg)) {
            Ok(loaded) => {
                println!("{arg}: ok");
                print!("{}", caisson_scenario::render(&loaded.warnings));
            }
            Err(error) => print!("{error}"),
        }
    }
}

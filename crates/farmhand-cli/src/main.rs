//! The `farmhand` command line.

fn main() {
    eprintln!("farmhand: the command line is being written");
    std::process::exit(2);
}

//! The workspace's own `uniffi-bindgen` (the crate's uniffi version): `scripts/generate` runs it
//! to write the Swift and Kotlin sources from the built library.

fn main() {
    uniffi::uniffi_bindgen_main()
}

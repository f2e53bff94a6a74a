//! Showcases (generated code is added later).

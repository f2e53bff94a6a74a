//! Loading AsyncAPI documents (HELPER: spec loader)

pub mod allow;
pub mod export;
pub mod hook;
pub mod new;
pub mod status;

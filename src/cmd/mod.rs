pub mod allow;
pub mod doctor;
pub mod export;
pub mod hook;
pub mod list;
pub mod new;
pub mod status;
pub mod watch;

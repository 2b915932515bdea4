pub mod audit;
pub mod case;
pub mod child;
pub mod clock;
pub mod demo;
pub mod init;
pub mod store;

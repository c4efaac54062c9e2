//! Charts: `spec` turns data into a charming chart (pure, tested on the server); `echart` draws it
//! in the browser with ECharts.

pub mod echart;
pub mod reports;
pub mod spec;

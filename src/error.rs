//! Why a run stops: one variant per step that can fail, each keeping its source error.
//!
//! A variant's message names the step or what was being done; the cause is its
//! `#[source]`, printed after it by the binary (so an OS or algorithm error is printed
//! once). Steps of the run graph return their error boxed; [`RunError::from_graph`] unboxes
//! it again.

use crate::algo::csr::CentralityError;
use crate::algo::ksp::KspError;
use crate::config::ConfigError;
use crate::geo::gazetteer::GazetteerError;
use crate::gis::GisError;
use crate::hotspot::HotspotError;
use crate::ingest::IngestError;
use crate::output::OutputError;
use crate::report::ReportError;
use crate::run::graph::GraphError;

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The gazetteer compiled into the binary could not be loaded.
    #[error("the embedded gazetteer cannot be loaded")]
    Gazetteer(#[source] &'static GazetteerError),
    /// An input file could not be used (the ingest steps).
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// An output could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The paths step: the path search refused the network.
    #[error("the paths step failed")]
    Paths(#[source] KspError),
    /// The hubs step: a centrality measure refused the network.
    #[error("the hubs step failed")]
    Hubs(#[source] CentralityError),
    /// One of the hotspot steps (cells, cube).
    #[error("the hotspot {step} step failed")]
    Hotspots {
        /// The step.
        step: &'static str,
        /// Its error.
        #[source]
        source: HotspotError,
    },
    /// The gis step could not encode its layers.
    #[error("the gis step failed")]
    Gis(#[source] GisError),
    /// The report step.
    #[error("the report step failed")]
    Report(#[source] ReportError),
    /// A JSON document of the run (manifest, run record, summary) could not be encoded.
    #[error("cannot encode {what}")]
    Serialize {
        /// Which document.
        what: &'static str,
        /// The encoder's error.
        #[source]
        source: serde_json::Error,
    },
    /// The step graph itself could not run (a cached artifact that cannot be decoded, a
    /// step that failed without a typed error).
    #[error("the run graph stopped")]
    Graph(#[source] GraphError),
}

impl RunError {
    /// The typed error of a failed step, or the graph error itself.
    pub fn from_graph(e: GraphError) -> RunError {
        match e {
            GraphError::Step { step, source } => match source.downcast::<RunError>() {
                Ok(run) => *run,
                Err(source) => RunError::Graph(GraphError::Step { step, source }),
            },
            other => RunError::Graph(other),
        }
    }
}

impl From<&'static GazetteerError> for RunError {
    fn from(e: &'static GazetteerError) -> Self {
        RunError::Gazetteer(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_error_comes_back_typed_and_keeps_its_source() {
        let boxed: crate::run::BoxError =
            Box::new(RunError::Paths(KspError::NodeOutOfRange { index: 9, node_bound: 2 }));
        let e = RunError::from_graph(GraphError::Step { step: "paths".into(), source: boxed });
        assert!(matches!(e, RunError::Paths(KspError::NodeOutOfRange { index: 9, .. })), "{e:?}");
        assert_eq!(e.to_string(), "the paths step failed");
        let source = std::error::Error::source(&e).expect("source kept");
        assert_eq!(source.to_string(), "node index 9 is out of range: the graph has node bound 2");
        // An untyped step error stays a graph error that names the step.
        let e = RunError::from_graph(GraphError::Step { step: "x".into(), source: "boom".into() });
        assert!(matches!(e, RunError::Graph(_)));
    }
}

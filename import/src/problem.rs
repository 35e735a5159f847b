//! What went wrong, where: every problem names its file, and where it can its feature and field.

use serde::Serialize;

/// One problem with the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// The source file (or the mapping file).
    pub file: String,
    /// The feature: `#index`, with its id where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// The attribute or field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Why.
    pub reason: String,
}

impl Problem {
    /// A problem with a whole file.
    pub fn file(file: impl Into<String>, reason: impl Into<String>) -> Problem {
        Problem {
            file: file.into(),
            feature: None,
            field: None,
            reason: reason.into(),
        }
    }

    /// The same problem, at a feature.
    pub fn at(mut self, feature: impl Into<String>) -> Problem {
        self.feature = Some(feature.into());
        self
    }

    /// The same problem, at a field.
    pub fn field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(feature) = &self.feature {
            write!(f, ": feature {feature}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field \"{field}\"")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// An import that did not happen: every problem found, nothing written.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportError {
    /// The problems, in the order the sources were read.
    pub problems: Vec<Problem>,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "{n} problem{} found; nothing was written:",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}

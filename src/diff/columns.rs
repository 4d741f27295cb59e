//! Reading the columns of a run's Parquet tables as plain values (the tables are read by
//! [`super::load`], compared by [`super::compare`] and [`super::rows`]).

use polars::prelude::{DataFrame, DataType, PolarsError};

/// Text of every cell of a column (null as `None`).
pub(super) fn texts(df: &DataFrame, col: &str) -> Result<Vec<Option<String>>, PolarsError> {
    let s = df.column(col)?.as_materialized_series().cast(&DataType::String)?;
    Ok(s.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

/// Every cell of a column as a float.
pub(super) fn floats(df: &DataFrame, col: &str) -> Result<Vec<Option<f64>>, PolarsError> {
    let s = df.column(col)?.as_materialized_series().cast(&DataType::Float64)?;
    Ok(s.f64()?.iter().collect())
}

/// Every cell of a column as a signed integer.
pub(super) fn ints(df: &DataFrame, col: &str) -> Result<Vec<Option<i64>>, PolarsError> {
    let s = df.column(col)?.as_materialized_series().cast(&DataType::Int64)?;
    Ok(s.i64()?.iter().collect())
}

/// Whether `df` has a column `col`.
pub(super) fn has_column(df: &DataFrame, col: &str) -> bool {
    df.get_column_names().iter().any(|c| c.as_str() == col)
}

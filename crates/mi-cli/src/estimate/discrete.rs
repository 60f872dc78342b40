//! The plug-in and Miller–Madow estimators for categorical data: every value of X and Y must be
//! an integer code; a multi-column X (or Y) is one categorical variable whose categories are the
//! distinct rows.
use ndarray::ArrayView2;
use std::collections::HashMap;

/// Refuses non-integer values with where the first one is.
pub fn check_integer_codes(a: &ArrayView2<f64>, which: &str, estimator: &str) -> anyhow::Result<()> {
    match a.indexed_iter().find(|(_, v)| v.fract() != 0.0 || v.abs() > 9.0e15) {
        Some(((r, c), v)) => Err(crate::input_error(format!(
            "--estimator {estimator} takes categorical data (integer codes), but {which} has {v} at row {r}, column {c}; encode categories as integers, or use ksg/gaussian/auto for continuous data"
        ))),
        None => Ok(()),
    }
}

/// One category id per row: rows with equal values share an id.
pub fn category_ids(a: &ArrayView2<f64>) -> Vec<i64> {
    let mut ids: HashMap<Vec<i64>, i64> = HashMap::new();
    a.rows()
        .into_iter()
        .map(|row| {
            let key: Vec<i64> = row.iter().map(|&v| v as i64).collect();
            let next = ids.len() as i64;
            *ids.entry(key).or_insert(next)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn rows_become_categories_and_fractions_are_refused() {
        let a = array![[1.0, 2.0], [1.0, 3.0], [1.0, 2.0], [-4.0, 0.0]];
        assert_eq!(category_ids(&a.view()), vec![0, 1, 0, 2]);
        assert!(check_integer_codes(&a.view(), "X", "plugin").is_ok());
        let e = check_integer_codes(&array![[1.0], [0.5]].view(), "Y", "plugin").unwrap_err();
        assert!(e.is::<crate::InputError>() && e.to_string().contains("row 1, column 0"), "{e}");
    }
}

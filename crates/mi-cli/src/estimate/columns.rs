//! `--data FILE --columns X;Y[;Z]`: X, Y (and Z) as column groups of one table, each group a
//! comma-separated list of 0-based indices or CSV header names, e.g. `--columns "age,income;score"`.
use ndarray::{Array2, Axis};

/// The column indices of each group, resolved against the table's header (if any).
pub fn resolve(spec: &str, ncols: usize, header: Option<&[String]>) -> anyhow::Result<Vec<Vec<usize>>> {
    let groups: Vec<&str> = spec.split(';').map(str::trim).collect();
    if !(2..=3).contains(&groups.len()) || groups.iter().any(|g| g.is_empty()) {
        return Err(crate::input_error(format!(
            "--columns '{spec}': expected X;Y or X;Y;Z, each a comma-separated list of column indices (from 0) or header names, e.g. --columns \"0,1;2\""
        )));
    }
    let mut out = vec![];
    for (g, which) in groups.iter().zip(["X", "Y", "Z"]) {
        let mut cols = vec![];
        for item in g.split(',').map(str::trim) {
            let col = column(item, ncols, header).map_err(|e| crate::input_error(format!("--columns, {which}: {e}")))?;
            if out.iter().flatten().chain(cols.iter()).any(|&c| c == col) {
                return Err(crate::input_error(format!("--columns: column '{item}' is used twice; X, Y and Z must be disjoint column groups")));
            }
            cols.push(col);
        }
        out.push(cols);
    }
    Ok(out)
}

fn column(item: &str, ncols: usize, header: Option<&[String]>) -> Result<usize, String> {
    if let Some(i) = header.and_then(|h| h.iter().position(|name| name == item)) {
        return Ok(i);
    }
    match item.parse::<usize>() {
        Ok(i) if i < ncols => Ok(i),
        Ok(i) => Err(format!("column {i} does not exist: the table has {ncols} columns (0 to {})", ncols - 1)),
        Err(_) => Err(match header {
            Some(h) => format!("no column is named '{item}'; the header has {}", h.join(", ")),
            None => format!("'{item}' is not a column index, and the file has no header row to look names up in"),
        }),
    }
}

/// The columns `cols` of `table`, in that order.
pub fn select(table: &Array2<f64>, cols: &[usize]) -> Array2<f64> {
    table.select(Axis(1), cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_indices_resolve_and_mistakes_say_what_to_do() {
        let header: Vec<String> = ["age", "income", "score", "group"].iter().map(|s| s.to_string()).collect();
        assert_eq!(resolve("age,1;score", 4, Some(&header)).unwrap(), vec![vec![0, 1], vec![2]]);
        assert_eq!(resolve(" 0 ; 1 ; group ", 4, Some(&header)).unwrap(), vec![vec![0], vec![1], vec![3]]);
        for (spec, says) in [
            ("0", "expected X;Y"),
            ("0;1;2;3", "expected X;Y"),
            ("0;;1", "expected X;Y"),
            ("0;nope", "the header has age, income"),
            ("0;9", "4 columns"),
            ("0,1;1", "used twice"),
        ] {
            let e = resolve(spec, 4, Some(&header)).unwrap_err();
            assert!(e.is::<crate::InputError>() && e.to_string().contains(says), "{spec}: {e}");
        }
        let e = resolve("a;b", 4, None).unwrap_err();
        assert!(e.to_string().contains("no header row"), "{e}");
        let t = Array2::from_shape_fn((2, 4), |(r, c)| (10 * r + c) as f64);
        assert_eq!(select(&t, &[3, 1]), ndarray::array![[3.0, 1.0], [13.0, 11.0]]);
    }
}

//! Number formatting shared by the reports' prose and tables.

/// `n` with thousands separated by commas, as the reports write step counts (5,001).
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(grouped(5_001), "5,001");
        assert_eq!(grouped(21_000), "21,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(750), "750");
        assert_eq!(grouped(0), "0");
    }

    proptest! {
        #[test]
        fn removing_the_commas_gives_the_number_back(n in any::<usize>()) {
            let g = grouped(n);
            prop_assert_eq!(g.replace(',', "").parse::<usize>().unwrap(), n);
            // every group after the first has exactly three digits
            prop_assert!(g.split(',').skip(1).all(|d| d.len() == 3));
            prop_assert!(g.split(',').next().is_some_and(|d| (1..=3).contains(&d.len())));
        }
    }
}

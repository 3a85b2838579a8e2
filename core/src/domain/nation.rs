//! The UK nation a service is in: it decides which crisis and support lines people are given
//! (an English speaker in Cardiff needs DAN 24/7, a Polish speaker in Belfast needs Lifeline).

use std::{fmt, str::FromStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Nation {
    #[default]
    England,
    Wales,
    Scotland,
    NorthernIreland,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a UK nation (england, wales, scotland or northern-ireland)")]
pub struct NationError(pub String);

impl Nation {
    pub const ALL: [Nation; 4] = [
        Nation::England,
        Nation::Wales,
        Nation::Scotland,
        Nation::NorthernIreland,
    ];

    /// The name stored, typed and passed to Fluent as `$nation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Nation::England => "england",
            Nation::Wales => "wales",
            Nation::Scotland => "scotland",
            Nation::NorthernIreland => "northern-ireland",
        }
    }
}

impl fmt::Display for Nation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Nation {
    type Err = NationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c == ' ' || c == '_' { '-' } else { c })
            .collect();
        match key.as_str() {
            "england" => Ok(Nation::England),
            "wales" | "cymru" => Ok(Nation::Wales),
            "scotland" => Ok(Nation::Scotland),
            "northern-ireland" | "ni" => Ok(Nation::NorthernIreland),
            _ => Err(NationError(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nations_read_as_people_type_them() {
        assert_eq!("Wales".parse(), Ok(Nation::Wales));
        assert_eq!("Northern Ireland".parse(), Ok(Nation::NorthernIreland));
        assert_eq!("northern_ireland".parse(), Ok(Nation::NorthernIreland));
        assert!("Ireland".parse::<Nation>().is_err());
        for n in Nation::ALL {
            assert_eq!(n.as_str().parse(), Ok(n));
        }
    }
}

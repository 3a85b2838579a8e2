//! The ONS personal wellbeing measures (ONS4) and a check-in's answers, as stored and as the
//! wellbeing rules read them.

/// The four questions, in the order they are asked.
pub const QUESTIONS: [Measure; 4] = [
    Measure::LifeSatisfaction,
    Measure::Worthwhile,
    Measure::Happy,
    Measure::Anxiety,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    LifeSatisfaction,
    Worthwhile,
    Happy,
    Anxiety,
}

impl Measure {
    pub fn column(self) -> &'static str {
        match self {
            Measure::LifeSatisfaction => "life_satisfaction",
            Measure::Worthwhile => "worthwhile",
            Measure::Happy => "happy",
            Measure::Anxiety => "anxiety",
        }
    }
}

/// One check-in's answers (`None`: skipped or not given).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ons4 {
    pub life_satisfaction: Option<u8>,
    pub worthwhile: Option<u8>,
    pub happy: Option<u8>,
    pub anxiety: Option<u8>,
}

impl Ons4 {
    pub fn get(&self, m: Measure) -> Option<u8> {
        match m {
            Measure::LifeSatisfaction => self.life_satisfaction,
            Measure::Worthwhile => self.worthwhile,
            Measure::Happy => self.happy,
            Measure::Anxiety => self.anxiety,
        }
    }

    pub(crate) fn positives(&self) -> [Option<u8>; 3] {
        [self.life_satisfaction, self.worthwhile, self.happy]
    }
}

/// A past or current check-in, as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Answered(Ons4),
    Missed,
}

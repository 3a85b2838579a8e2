-- Which rules flagged a risk-language escalation: stable names such as
-- `rule:en-GB:self-harm:harm-self` or `phrase:cy:suicide:lladd fy|yn|fyn hun|hunan`, joined
-- with "; ". Empty for concerns and wellbeing flags, and for escalations opened before this.
ALTER TABLE escalations ADD COLUMN risk_rules TEXT NOT NULL DEFAULT '';

-- The UK nation a service is in: which crisis and support lines people are given.
ALTER TABLE services ADD COLUMN nation TEXT NOT NULL DEFAULT 'england'
    CHECK (nation IN ('england', 'wales', 'scotland', 'northern-ireland'));

-- Right to erasure: an erased person's row stays only as an anchor for records the law says we
-- keep (safeguarding, the audit log); it no longer holds anything that identifies them unless a
-- safeguarding record needs the name.
ALTER TABLE people ADD COLUMN erased_at INTEGER;

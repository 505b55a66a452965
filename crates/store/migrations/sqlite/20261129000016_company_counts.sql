-- The companies list counts each listed company's accounts by status.
CREATE INDEX authorizers_by_company_status ON authorizers (company_id, status);

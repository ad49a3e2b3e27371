-- The organization profile version a review judged with (appliance-server owns V61_*); empty when
-- none was active. The profile's own tables are the policies module's (V20_51).
ALTER TABLE model_review ADD COLUMN org_profile_version INTEGER;

--! Previous: sha1:026df75cc1cde929edeb6424d9e249fc73dfd723
--! Hash: sha1:13e56774d2051b5fd054009c9d7ae5f25b538856
--! Message: users.email is at most 320 characters (check users_email_length)

-- An email is at most 320 characters (64 for the local part, @, 255 for the domain). Longer ones
-- used to reach the unique index and fail with PostgreSQL's "index row size ... exceeds maximum"
-- (SQLSTATE 54000), whose wording named the index; now the check (23514, mapped to CHECK_VIOLATION
-- with field 'email' by server/errors.ts) refuses them first: CHECK constraints run before index
-- insertion. NOT VALID: existing rows are not re-checked (so a deploy cannot fail on an odd old
-- row); every insert and update is.
alter table app_public.users
  add constraint users_email_length check (char_length(email) <= 320) not valid;
comment on constraint users_email_length on app_public.users is 'Emails are at most 320 characters (RFC 3696 errata 1690).';

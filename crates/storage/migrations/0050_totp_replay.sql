-- Two-step verification codes are used once (RFC 6238 section 5.2: "the verifier MUST NOT accept the
-- second attempt of the OTP after the successful validation has been issued for the first OTP").
--
-- The time step (Unix time / 30 s) of the last code accepted for the account. A code is accepted only
-- for a later step, so a code already used (or an older one still inside the allowed clock drift) cannot
-- be used again. Cleared with the secret when an administrator resets two-step verification.

alter table app_user add column totp_last_step integer;

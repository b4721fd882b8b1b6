-- Requests counted against a network address's limits, whatever their outcome: a probe of a
-- number that is not on the register leaves no code behind, yet must still count.
CREATE TABLE client_requests (
    action      TEXT NOT NULL, -- 'code' (asked for a code) or 'sign_in' (tried to sign in)
    client      TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX client_requests_by_client ON client_requests(action, client, at);
CREATE INDEX client_requests_by_time ON client_requests(at);

package dev.keyward.web.console;

import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.service.ConsoleSessions;

/** A request in a live console session: who is calling (as the API would see them) and the session's CSRF token. */
record Visit(ConsoleSessions.Active session) {

    Caller caller() {
        return session.caller();
    }

    boolean admin() {
        return session.role() == Role.ADMIN;
    }

    /** The frame of a page in this session. */
    Frame frame(String title, String section) {
        return new Frame(title, section, session.caller().username(), session.role().label(), session.csrfToken());
    }
}

package dev.keyward.web.console;

/**
 * What every page's layout shows around its content: the title, which section of the navigation is current, and
 * who is signed in (null on the sign-in pages) with the CSRF token the sign-out form carries.
 */
public record Frame(String title, String section, String username, String role, String csrf) {

    public static Frame signedOut(String title) {
        return new Frame(title, "", null, null, null);
    }

    public boolean signedIn() {
        return username != null;
    }

    /** Whether the person may act (an auditor sees everything and changes nothing; the server enforces it). */
    public boolean admin() {
        return "admin".equals(role);
    }
}

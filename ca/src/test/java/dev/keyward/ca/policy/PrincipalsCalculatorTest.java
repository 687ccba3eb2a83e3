package dev.keyward.ca.policy;

import static dev.keyward.ca.policy.Fixtures.ctx;
import static dev.keyward.ca.policy.Fixtures.engineer;
import static dev.keyward.ca.policy.Fixtures.hostCtx;
import static dev.keyward.ca.policy.Fixtures.hostRequest;
import static dev.keyward.ca.policy.Fixtures.rule;
import static dev.keyward.ca.policy.Fixtures.userRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrincipalsCalculatorTest {
    private final PrincipalsCalculator calc = new PrincipalsCalculator();

    private List<String> run(PolicyContext c) {
        DecisionDraft d = new DecisionDraft();
        calc.apply(c, d);
        return d.principals();
    }

    @Nested
    class UserCertificates {
        @Test
        void emptyRequestGetsOwnUsernameByDefault() {
            assertEquals(List.of("alice"), run(ctx(rule(), engineer("alice"), userRequest())));
        }

        @Test
        void ownUsernameMayBeRequested() {
            assertEquals(List.of("alice"), run(ctx(rule(), engineer("alice"), userRequest("alice"))));
        }

        @Test
        void rejectsSomeoneElsesUsernameNamingPrincipalAndRule() {
            var e = assertThrows(PolicyViolationException.class,
                    () -> run(ctx(rule(), engineer("alice"), userRequest("root"))));
            assertEquals("rules.r.principals", e.rule());
            assertTrue(e.getMessage().startsWith("policy rule rules.r.principals: principal 'root' is not allowed"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("allowed: {{username}}"), e.getMessage());
        }

        @Test
        void defaultsAreAllNonGlobPrincipalsExpandedInOrder() {
            PolicyRule r = rule("principals", List.of("{{username}}", "deploy", "ops-*", "{{username}}-admin"));
            assertEquals(List.of("alice", "deploy", "alice-admin"), run(ctx(r, engineer("alice"), userRequest())));
        }

        @Test
        void explicitDefaultPrincipalsAreUsed() {
            PolicyRule r = rule("principals", List.of("{{username}}", "deploy"), "default_principals",
                    List.of("{{ username }}"));
            assertEquals(List.of("alice"), run(ctx(r, engineer("alice"), userRequest())));
            assertEquals(List.of("deploy"), run(ctx(r, engineer("alice"), userRequest("deploy"))));
        }

        @Test
        void requestOrderIsKeptAndDuplicatesDropped() {
            PolicyRule r = rule("principals", List.of("{{username}}", "deploy"));
            assertEquals(List.of("deploy", "alice"),
                    run(ctx(r, engineer("alice"), userRequest("deploy", "alice", "deploy"))));
        }

        @ParameterizedTest
        @ValueSource(strings = {"deploy-web", "deploy-db.eu-1", "deploy-A_b"})
        void globAllowsMatchingNames(String requested) {
            PolicyRule r = rule("principals", List.of("{{username}}", "deploy-*"));
            assertEquals(List.of(requested), run(ctx(r, engineer("alice"), userRequest(requested))));
        }

        @ParameterizedTest
        @ValueSource(strings = {"deploy-", "deploy", "xdeploy-web", "deploy-web@corp", "deploy-a*", "root"})
        void globRejectsEverythingElse(String requested) {
            PolicyRule r = rule("principals", List.of("{{username}}", "deploy-*"));
            var e = assertThrows(PolicyViolationException.class,
                    () -> run(ctx(r, engineer("alice"), userRequest(requested))));
            assertEquals("rules.r.principals", e.rule());
            assertTrue(e.getMessage().contains("'" + requested + "'"), e.getMessage());
        }

        @Test
        void globWithUsernameIsBoundToTheCaller() {
            PolicyRule r = rule("principals", List.of("{{username}}-*"));
            assertEquals(List.of("bob-ro"), run(ctx(r, engineer("bob"), userRequest("bob-ro"))));
            assertThrows(PolicyViolationException.class, () -> run(ctx(r, engineer("bob"), userRequest("alice-ro"))));
        }

        @Test
        void usernameIsLiteralEvenIfItLooksLikeAGlob() {
            PolicyRule r = rule();
            assertThrows(PolicyViolationException.class, () -> run(ctx(r, engineer("a*"), userRequest("abc"))));
            assertEquals(List.of("a*"), run(ctx(r, engineer("a*"), userRequest("a*"))));
        }

        @Test
        void globOnlyRuleNeedsExplicitPrincipals() {
            PolicyRule r = rule("principals", List.of("deploy-*"));
            var e = assertThrows(PolicyViolationException.class,
                    () -> run(ctx(r, engineer("alice"), userRequest())));
            assertEquals("rules.r.default_principals", e.rule());
            assertTrue(e.getMessage().contains("name the principals you need"), e.getMessage());
        }

        @Test
        void defaultOutsideAGlobForThisUsernameIsRefused() {
            // Allowed at load (the sample username fits the glob), but "a@b" does not: '@' is no glob character.
            PolicyRule r = rule("principals", List.of("*-ro"), "default_principals", List.of("{{username}}-ro"));
            assertEquals(List.of("bob-ro"), run(ctx(r, engineer("bob"), userRequest())));
            var e = assertThrows(PolicyViolationException.class, () -> run(ctx(r, engineer("a@b"), userRequest())));
            assertEquals("rules.r.default_principals", e.rule());
        }

        @ParameterizedTest
        @ValueSource(strings = {"alice smith", "alice,root", "alice\nroot", "", "tab\tname", "ali\u202Eecilre",
                "bob\u200Bby", "eve\u2066x"})
        void usernameThatMakesAnInvalidPrincipalIsAViolationWithAClearMessage(String username) {
            var e = assertThrows(PolicyViolationException.class,
                    () -> run(ctx(rule(), engineer(username), userRequest())));
            assertEquals("rules.r.default_principals", e.rule());
            assertTrue(e.getMessage().contains("is not a valid principal"), e.getMessage());
            assertTrue(e.getMessage().contains("ask an administrator"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "control characters are masked in messages");
        }

        @ParameterizedTest
        @ValueSource(strings = {"alice,root", "alice root", "", "x\u0000", "ali\u202Eec", "a\u200Eb", "a\uD800b"})
        void malformedRequestedPrincipalIsABadRequestNotAViolation(String requested) {
            var e = assertThrows(InvalidInputException.class,
                    () -> run(ctx(rule(), engineer("alice"), userRequest(requested))));
            assertFalse(e instanceof PolicyViolationException, e.getMessage());
            assertTrue(e.getMessage().startsWith("requested principal"), e.getMessage());
        }

        @Test
        void tooManyPrincipalsIsABadRequest() {
            PolicyRule r = rule("principals", List.of("p-*"));
            String[] many = IntStream.range(0, Principals.MAX_COUNT + 1).mapToObj(i -> "p-" + i).toArray(String[]::new);
            var e = assertThrows(InvalidInputException.class, () -> run(ctx(r, engineer("alice"), userRequest(many))));
            assertTrue(e.getMessage().contains("too many principals"), e.getMessage());
        }
    }

    @Nested
    class HostCertificates {
        private final PolicyRule hostRule = rule("roles", List.of("host"), "cert_type", "host");
        private final List<String> registered = List.of("web1.example.com", "web1", "10.0.0.5");

        @Test
        void emptyRequestGetsAllRegisteredNames() {
            assertEquals(registered, run(hostCtx(hostRule, hostRequest(), registered)));
        }

        @Test
        void subsetOfRegisteredNamesIsAllowedInRequestOrder() {
            assertEquals(List.of("web1", "web1.example.com"),
                    run(hostCtx(hostRule, hostRequest("web1", "web1.example.com"), registered)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"db1.example.com", "WEB1", "*.example.com", "web1.example.com.evil"})
        void nameNotRegisteredIsAViolation(String requested) {
            var e = assertThrows(PolicyViolationException.class,
                    () -> run(hostCtx(hostRule, hostRequest("web1", requested), registered)));
            assertEquals("host.registered_names", e.rule());
            assertTrue(e.getMessage().contains("'" + requested + "' is not a registered name"), e.getMessage());
        }

        @Test
        void hostWithoutRegisteredNamesGetsNothing() {
            var e = assertThrows(PolicyViolationException.class,
                    () -> run(hostCtx(hostRule, hostRequest(), List.of())));
            assertEquals("host.registered_names", e.rule());
            assertTrue(e.getMessage().contains("register the host's names first"), e.getMessage());
        }

        @ParameterizedTest
        @ValueSource(strings = {"*", "*.example.com", "web?", "two words", "a,b"})
        void registeredNameThatWouldBeAWildcardOrListIsRefused(String bad) {
            var e = assertThrows(PolicyViolationException.class,
                    () -> run(hostCtx(hostRule, hostRequest("web1"), List.of("web1", bad))));
            assertEquals("host.registered_names", e.rule());
            assertInstanceOf(PolicyViolationException.class, e);
            assertTrue(e.getMessage().contains("fix the host's registration"), e.getMessage());
        }
    }
}

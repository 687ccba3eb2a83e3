package dev.keyward.ca.policy;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Calculates the principals, like Vault's {@code calculateValidPrincipals}.
 *
 * <p>User certificates: an empty request gets the rule's {@code default_principals} expanded for the caller;
 * otherwise every requested principal must be well-formed (else 400) and match one of the rule's
 * {@code principals} templates (else 403 naming the principal). Duplicates are dropped, order is kept.
 *
 * <p>Host certificates carry only the host's registered names: an empty request gets all of them; otherwise
 * each requested name must be one of them (compared exactly). A host with no registered names gets nothing.
 */
final class PrincipalsCalculator implements PolicyStep {
    @Override
    public void apply(PolicyContext ctx, DecisionDraft draft) {
        List<String> requested = new ArrayList<>(new LinkedHashSet<>(ctx.request().principals()));
        if (requested.size() > Principals.MAX_COUNT) {
            throw new InvalidInputException("too many principals requested (" + requested.size() + "; at most "
                    + Principals.MAX_COUNT + ")");
        }
        draft.principals(ctx.request().type() == CertType.HOST ? forHost(ctx, requested) : forUser(ctx, requested));
    }

    private static List<String> forUser(PolicyContext ctx, List<String> requested) {
        PolicyRule rule = ctx.rule();
        String username = ctx.who().username();
        if (requested.isEmpty()) {
            if (rule.defaultPrincipals().isEmpty()) {
                throw new PolicyViolationException(rule.rule("default_principals"), "this rule has no default"
                        + " principals; name the principals you need in the request");
            }
            List<String> defaults = new ArrayList<>();
            for (Template t : rule.defaultPrincipals()) {
                String principal = t.expand(username);
                checkExpansion(rule.rule("default_principals"), t, username, principal);
                // The loader checked this with a sample username; a real one may still fall outside a glob.
                if (rule.principals().stream().noneMatch(a -> a.matches(principal, username))) {
                    throw new PolicyViolationException(rule.rule("default_principals"), "default principal '"
                            + principal + "' is not allowed by the rule's principals (" + describe(rule.principals())
                            + "); name the principals you need in the request");
                }
                if (!defaults.contains(principal)) {
                    defaults.add(principal);
                }
            }
            return defaults;
        }
        for (String p : requested) {
            Principals.problem(p).ifPresent(problem -> {
                throw new InvalidInputException("requested principal '" + Principals.printable(p) + "' is invalid: "
                        + problem);
            });
            if (rule.principals().stream().noneMatch(t -> t.matches(p, username))) {
                throw new PolicyViolationException(rule.rule("principals"), "principal '" + p + "' is not allowed"
                        + " for " + Principals.printable(username) + "; allowed: " + describe(rule.principals())
                        + " ({{username}} is " + Principals.printable(username) + ")");
            }
        }
        return requested;
    }

    /** A username that makes a broken principal is not the requester's typo: say so and whom to ask. */
    private static void checkExpansion(String ruleName, Template t, String username, String principal) {
        Optional<String> problem = Principals.problem(principal);
        if (problem.isPresent()) {
            throw new PolicyViolationException(ruleName, "template '" + t.source() + "' with username '"
                    + Principals.printable(username) + "' gives '" + Principals.printable(principal)
                    + "', which is not a valid principal (" + problem.get() + "); ask an administrator to give"
                    + " this account a login name without such characters");
        }
    }

    private static List<String> forHost(PolicyContext ctx, List<String> requested) {
        List<String> registered = ctx.hostNames();
        if (registered.isEmpty()) {
            throw new PolicyViolationException("host.registered_names", "this host has no registered names, and host"
                    + " certificates carry only registered names; register the host's names first");
        }
        for (String name : registered) {
            Principals.hostProblem(name).ifPresent(problem -> {
                throw new PolicyViolationException("host.registered_names", "registered host name '"
                        + Principals.printable(name) + "' cannot be a principal (" + problem + "); fix the"
                        + " host's registration");
            });
        }
        if (requested.isEmpty()) {
            return List.copyOf(new LinkedHashSet<>(registered));
        }
        for (String p : requested) {
            if (!registered.contains(p)) {
                throw new PolicyViolationException("host.registered_names", "'" + Principals.printable(p)
                        + "' is not a registered name of this host; host certificates carry only registered"
                        + " names (" + String.join(", ", registered) + "); register it first or leave it out");
            }
        }
        return requested;
    }

    private static String describe(List<Template> templates) {
        return templates.stream().map(Template::source).collect(Collectors.joining(", "));
    }
}

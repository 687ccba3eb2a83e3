package dev.keyward.ca.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateTest {
    @ParameterizedTest
    @CsvSource({
            "{{username}},alice,alice",
            "{{ username }},alice,alice",
            "{{username}}-admin,alice,alice-admin",
            "svc-{{username}}-{{username}},bob,svc-bob-bob",
            "deploy,alice,deploy",
            "{{username}},{{username}},{{username}}"})
    void expandsUsernameTextually(String source, String username, String expected) {
        assertEquals(expected, Template.parse(source, false).expand(username));
    }

    @Test
    void usernameWithBracesOrStarsStaysLiteral() {
        Template t = Template.parse("{{username}}-x", true);
        assertTrue(t.matches("a*b-x", "a*b"));
        assertFalse(t.matches("aZZb-x", "a*b"));
        assertFalse(t.matches("axb-x", "a.b"));
        assertEquals("{{username}}-x", Template.parse("{{username}}-x", false).expand("{{username}}"));
    }

    @ParameterizedTest
    @CsvSource({
            "deploy-*,deploy-web,true",
            "deploy-*,deploy-,false",
            "deploy-*,deploy-a-b.c_d,true",
            "deploy-*,deploy-a@b,false",
            "deploy-*,deploy-a/b,false",
            "*-ro,alice-ro,true",
            "*-ro,-ro,false",
            "db-*-ro,db-eu-ro,true",
            "db-*-ro,db--ro,false"})
    void globStarMatchesOneOrMorePortableNameCharacters(String source, String candidate, boolean matches) {
        assertEquals(matches, Template.parse(source, true).matches(candidate, "alice"));
    }

    @Test
    void regexCharactersInLiteralsAreLiteral() {
        Template t = Template.parse("a.b+c", false);
        assertTrue(t.matches("a.b+c", "u"));
        assertFalse(t.matches("axbbc", "u"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "{{user}}|unknown placeholder '{{user}}' (only {{username}} is supported)",
            "{{username}|'{{username}' has unbalanced braces (write {{username}})",
            "x}}|'x}}' has unbalanced braces (write {{username}})",
            "*|'*' would allow any name, including root; add literal text (deploy-*) or list the names",
            "a**|'a**' has '**'; one '*' already matches several characters",
            "web?|'web?' contains '?', which is not supported (use '*')"})
    void rejectsBadTemplatesWithAReason(String source, String message) {
        var e = assertThrows(IllegalArgumentException.class, () -> Template.parse(source, true));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy-*", "*"})
    void globsAreRefusedWhereNotAllowed(String source) {
        assertThrows(IllegalArgumentException.class, () -> Template.parse(source, false));
    }

    @Test
    void globTemplatesCannotBeExpanded() {
        assertThrows(IllegalStateException.class, () -> Template.parse("a-*", true).expand("u"));
    }
}

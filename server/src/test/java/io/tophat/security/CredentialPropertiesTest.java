package io.tophat.security;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The credentials' rules over generated producer ids, secrets and presented values: a token is good for its own
 * id only and under the secrets that made it, rotation accepts every line, and a key's scope reaches exactly the
 * ids its lists and prefixes name.
 */
class CredentialPropertiesTest {
    private static final Secrets FIRST = Secrets.parse("first-device-secret-0123456789", "test");
    private static final Secrets ROTATED = Secrets.parse("second-device-secret-abcdefgh\nfirst-device-secret-0123456789",
            "test");

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.strings().withChars("ABCXYZabcxyz0123456789._:-").ofMinLength(1).ofMaxLength(64);
    }

    @Property(tries = 2000)
    void a_token_is_valid_for_its_own_id_and_never_for_another(@ForAll("ids") String id, @ForAll("ids") String other) {
        ProducerTokens tokens = new ProducerTokens(FIRST);
        String token = tokens.token(id);
        assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(tokens.valid(id, token)).isTrue();
        Assume.that(!other.equals(id));
        assertThat(tokens.valid(other, token)).as("the token of %s presented for %s", id, other).isFalse();
    }

    @Property(tries = 1000)
    void after_rotation_old_and_new_tokens_pass_and_new_tokens_are_signed_with_the_first_line(@ForAll("ids") String id) {
        ProducerTokens before = new ProducerTokens(FIRST);
        ProducerTokens during = new ProducerTokens(ROTATED);
        ProducerTokens after = new ProducerTokens(Secrets.parse("second-device-secret-abcdefgh", "test"));
        assertThat(during.valid(id, before.token(id))).as("an old token while both are accepted").isTrue();
        assertThat(during.token(id)).isEqualTo(after.token(id)).isNotEqualTo(before.token(id));
        assertThat(after.valid(id, before.token(id))).as("an old token once the old secret is gone").isFalse();
    }

    @Property(tries = 2000)
    void any_presented_text_that_is_not_the_token_is_refused(@ForAll("ids") String id, @ForAll String presented) {
        ProducerTokens tokens = new ProducerTokens(FIRST);
        Assume.that(!presented.equals(tokens.token(id)));
        assertThat(tokens.valid(id, presented)).isFalse();
        assertThat(FIRST.matches(presented)).isFalse();
    }

    @Provide
    Arbitrary<String> shortSecrets() {
        return Arbitraries.strings().withChars("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789").ofMinLength(8)
                .ofMaxLength(Secrets.MIN_LENGTH - 1);
    }

    @Property(tries = 500)
    void a_secret_shorter_than_sixteen_characters_is_refused_naming_its_line_not_its_value(
            @ForAll("shortSecrets") String shortSecret) {
        assertThatThrownBy(() -> Secrets.parse("a-long-enough-secret-line\n" + shortSecret, "--device-secret-file f"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--device-secret-file f").hasMessageContaining("line 2")
                .hasMessageNotContaining(shortSecret.strip());
    }

    @Property(tries = 2000)
    void a_scope_reaches_exactly_its_listed_ids_and_the_ids_under_its_prefixes(
            @ForAll("ids") String id, @ForAll("ids") String listed, @ForAll("ids") String prefix) {
        KeyScope scope = ConsumerKey.scope(List.of(listed), List.of(prefix), List.of("read"), 0);
        assertThat(scope.allows(id)).isEqualTo(id.equals(listed) || id.startsWith(prefix));
        assertThat(ConsumerKey.scope(List.of(), List.of(), List.of("read"), 0).allows(id)).as("an empty scope")
                .isTrue();
        assertThat(scope.can(Op.READ)).isTrue();
        assertThat(scope.can(Op.ERASE)).isFalse();
    }

    @Property(tries = 500)
    void a_key_is_found_by_itself_and_never_by_another_presented_value(@ForAll String presented) {
        String key = ConsumerKey.newKey();
        ConsumerKey issued = ConsumerKey.issued("k", key, ConsumerKey.scope(List.of(), List.of(), List.of(), 0), 0);
        KeyRing ring = KeyRing.EMPTY.replacing("k", issued);
        assertThat(key).startsWith("thk_").hasSize(36);
        assertThat(ring.find(key)).isEqualTo(issued);
        Assume.that(!presented.equals(key));
        assertThat(ring.find(presented)).isNull();
    }
}

package dev.holdport.admin.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The admin token, checked in constant time: both sides are hashed first, so neither the
 * position of the first wrong byte nor the token's length shows in the time a refusal takes.
 */
final class BearerToken {

    private static final String SCHEME = "bearer ";

    private final byte[] expectedHash;

    BearerToken(String token) {
        if (token.isEmpty()) {
            throw new IllegalArgumentException("the admin token is empty");
        }
        this.expectedHash = sha256(token);
    }

    /** @param authorization the {@code Authorization} header, or null */
    boolean accepts(String authorization) {
        if (authorization == null || authorization.length() < SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        byte[] givenHash = sha256(authorization.substring(SCHEME.length()).trim());
        return MessageDigest.isEqual(expectedHash, givenHash);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}

package dev.holdport.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code holdport.admin}: the control plane's listener.
 *
 * @param listen     TCP address of the REST API ({@code 127.0.0.1:9900} by default)
 * @param token      bearer token required on every request, if set
 * @param unixSocket an additional Unix domain socket for the API, if set
 */
public record AdminConfig(HostPort listen, Optional<String> token, Optional<Path> unixSocket) {}

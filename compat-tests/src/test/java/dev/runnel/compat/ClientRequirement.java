package dev.runnel.compat;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What to do when an external client is not installed: in CI (environment variable {@code CI=true}) the test fails,
 * because nothing may be skipped there; on a developer machine it is aborted, so JUnit reports it as skipped and the
 * matrix as "not run", never as a pass.
 */
final class ClientRequirement {
    private ClientRequirement() {
    }

    static void require(boolean present, String what, String installHint) {
        if (present) {
            return;
        }
        String message = what + " is not installed (" + installHint + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + "; CI=true, so this fails instead of skipping");
        }
        Assumptions.abort(message + "; scenario NOT RUN");
    }
}

package dev.runnel.compat;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One cell of the compatibility matrix: which client a test drives and what it proves. {@link CompatMatrix}
 * records the outcome under these names. A {@code knownGap} test asserts that a feature Runnel lacks fails
 * cleanly; it passes while the gap exists and is reported as "known gap", never as "pass".
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface Scenario {
    String client();

    String value();

    /** Why this is a known gap (empty when it is not one). */
    String knownGap() default "";
}

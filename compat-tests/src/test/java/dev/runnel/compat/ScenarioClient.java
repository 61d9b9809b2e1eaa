package dev.runnel.compat;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The matrix client of a test class whose {@link Scenario}s leave {@code client} empty: lets one set of scenario
 * methods (in an abstract class) be reported once per client, by subclasses that name it here.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Inherited
@interface ScenarioClient {
    String value();
}

/**
 * The Spring Boot example: a palette generator, a controller and a transactional service on
 * jobs-spring-boot-starter (see docs/spring-boot.md).
 */
@NullMarked
package dev.asyncjobs.examples.spring;

import org.jspecify.annotations.NullMarked;

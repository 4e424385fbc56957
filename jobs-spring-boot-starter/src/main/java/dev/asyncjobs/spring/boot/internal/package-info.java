/** Implementation detail of the Spring Boot starter: conditions, store choice, housekeeping. */
@NullMarked
package dev.asyncjobs.spring.boot.internal;

import org.jspecify.annotations.NullMarked;

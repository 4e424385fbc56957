/**
 * Spring Boot auto-configuration for asyncjobs: add {@code jobs-spring-boot-starter} and a Spring
 * Boot 3 application gets a {@link dev.asyncjobs.spi.JobStore} (PostgreSQL on its DataSource, else
 * in memory), a {@link dev.asyncjobs.JobManager} with its {@link dev.asyncjobs.Generator} beans, a
 * worker run as a {@link dev.asyncjobs.spring.boot.JobWorkerLifecycle}, creates that join the
 * caller's {@code @Transactional} transaction, the {@code asyncjobs} health indicator, and the
 * {@code asyncjobs.*} properties of {@link dev.asyncjobs.spring.boot.AsyncJobsProperties}. Every bean
 * backs off when the application defines its own of the same type.
 */
@NullMarked
package dev.asyncjobs.spring.boot;

import org.jspecify.annotations.NullMarked;

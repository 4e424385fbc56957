package dev.asyncjobs.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Spring Boot example: {@code POST /api/generate} creates a palette job and answers at once
 * with its id, {@code GET /api/jobs/{id}} follows it, and the worker the starter runs makes the
 * palette. By default jobs are kept in memory; with the {@code postgres} profile, in PostgreSQL,
 * created in the same transaction as the request's own row.
 */
@SpringBootApplication
public class ExampleApplication {

  /**
   * Starts the application.
   *
   * @param args Spring Boot's arguments, e.g. {@code --server.port=8081}
   */
  public static void main(String[] args) {
    SpringApplication.run(ExampleApplication.class, args);
  }
}

package dev.asyncjobs.generators.openai.internal;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * An OkHttp interceptor that hands each call the SDK starts to the {@link CallHandle} of the
 * thread making it, so that the job thread can cancel it. Blocking OkHttp calls run their
 * interceptors on the calling thread, which is what makes a thread-local the right link.
 */
final class CallTracker implements Interceptor {
  private final ThreadLocal<@Nullable CallHandle> current = new ThreadLocal<>();

  void bind(CallHandle handle) {
    current.set(handle);
  }

  void unbind() {
    current.remove();
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    CallHandle handle = current.get();
    if (handle != null) {
      handle.attach(chain.call());
      if (handle.isAborted()) {
        throw new IOException("Canceled");
      }
    }
    return chain.proceed(chain.request());
  }
}

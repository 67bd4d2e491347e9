// timeit -o FILE COMMAND [ARG...]: runs the command, then writes its wall time in seconds, its
// peak RSS in KiB (ru_maxrss of wait4) and its exit status to FILE as "SECONDS KIB STATUS".
// /usr/bin/time -v is not installed everywhere; this is all the benchmark needs from it.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 4 || strcmp(argv[1], "-o") != 0) {
    fprintf(stderr, "usage: timeit -o FILE COMMAND [ARG...]\n");
    return 2;
  }
  const char* out_path = argv[2];
  argv += 2;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid < 0) {
    perror("timeit: fork");
    return 2;
  }
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    fprintf(stderr, "timeit: %s: %s\n", argv[1], strerror(errno));
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) {
    perror("timeit: wait4");
    return 2;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  FILE* out = fopen(out_path, "w");
  if (!out || fprintf(out, "%.4f %ld %d\n", s, ru.ru_maxrss, rc) < 0 || fclose(out) != 0) {
    perror(out_path);
    return 2;
  }
  return 0;
}

# Sourced by the demo scripts: the --results-dir given to `turnbench run` among "$@", as arguments
# for the commands that read the run afterwards (report, inspect).
results_dir_args=()
demo_args=("$@")
for i in "${!demo_args[@]}"; do
  case "${demo_args[$i]}" in
    --results-dir) results_dir_args=(--results-dir "${demo_args[$((i + 1))]:-}") ;;
    --results-dir=*) results_dir_args=("${demo_args[$i]}") ;;
  esac
done

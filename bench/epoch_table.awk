# Turns the "epoch E/N: ... loss L train_accuracy A test_accuracy T ... time S s"
# lines of a training program's log into Markdown table rows (the columns
# of the tables in docs/training.md). Usage:
#   awk -v run="NAME" -f bench/epoch_table.awk LOG
/^epoch / {
  split($2, e, "/"); total += $(NF - 1)
  for (i = 1; i <= NF; ++i) {
    if ($i == "loss") loss = $(i + 1)
    if ($i == "train_accuracy") train = $(i + 1)
    if ($i == "test_accuracy") test = $(i + 1)
  }
  printf "| %s | %d | %.4f | %.2f %% | %.2f %% | %.1f | %.1f |\n", run, e[1],
    loss, 100 * train, 100 * test, $(NF - 1), total
}

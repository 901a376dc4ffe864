"""The names of the books' jobs that code outside Dagster asks for (a light import)."""

# Launched by Fava's categorize page (pipeline/fava_ext) after it writes a category rule:
# transactions re-filed → feeds/expenses.json → the generated books, checked.
RECATEGORIZE_JOB = "recategorize_job"

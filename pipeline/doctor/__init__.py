"""`homeclerk doctor`: every reason the pipeline could be quietly wrong, as findings with fixes."""

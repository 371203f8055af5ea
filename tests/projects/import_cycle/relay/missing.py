from relay import nowhere

"""The outside world as the domain uses it: the database (and the embedded server and
migrations), file storage (local or Supabase), auth users, YouTube and Stripe."""

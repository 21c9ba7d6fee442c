"""Who may read and write what on the broker, and who sent each message (issue 13):
senders (pure: an agency's topics, the origin check), plan (pure: users and ACLs), apply
(the cluster made to match a plan)."""

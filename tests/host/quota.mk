# Host unit tests of the quota accounting (kernel/core/quota.c): charging to
# the limit, the tree of reservations, objects that carry their charge until
# the object reaper gives it back, overflowing limits, and charges racing on
# several threads. The object references come from the capability code.
HOST_TESTS += quota
quota_SRCS   := kernel/core/quota.c kernel/core/cspace.c kernel/core/cap_tree.c
quota_LDLIBS := -lpthread

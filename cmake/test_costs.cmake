# Read by ctest after the discovered GoogleTest tests (TEST_INCLUDE_FILES), which exist only
# then: the longest of them start first.
# Without a cost, ctest -j starts tests in the order they are defined, and one that is long
# and defined last runs alone at the end while the other cores idle. A later run learns real
# costs (Testing/Temporary/CTestCostData.txt); a clean checkout in CI has none.
foreach(entry IN ITEMS
        "RandomLab.InvariantsHoldOnRandomLabsEditsAndDrift=80"
        "RandomLabSandbox.UpEditDownOnTheRealKernel=40"
        "CrashSafety.UpAfterKillDashNineConvergesAndDownIsClean=30"
        "FakeKernelDiff.RandomCallSequencesEndAlikeOnTheFakeAndTheKernel=25"
        "CrashSafety.DownAfterKillDashNineLeavesNoTrace=25"
        "CrashSafety.DownAfterKilledDownLeavesNoTrace=20")
  string(REPLACE "=" ";" pair "${entry}")
  list(GET pair 0 name)
  list(GET pair 1 cost)
  # A test this build lacks (no integration tests) is not an error: ctest warns and goes on.
  set_tests_properties("${name}" PROPERTIES COST ${cost})
endforeach()

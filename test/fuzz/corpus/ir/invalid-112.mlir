func.func @plan_stage() attributes {test.a = #dl.plan<stage = -1, devices = [0]>} {
  return
}
